-- Not run: with -e and no script luapool runs only the -e code.
print("this file is not run")
