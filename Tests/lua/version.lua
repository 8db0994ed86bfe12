print("script after -v")
