print("not reached: the -e before failed")
