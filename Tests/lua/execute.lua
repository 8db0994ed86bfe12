print("script sees", first, second, third)
