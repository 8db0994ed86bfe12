print("script sees", initialized_by_file)
