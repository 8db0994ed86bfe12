print("script sees", init_value)
