print("not reached: the module is missing")
