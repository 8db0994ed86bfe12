local mp = require "multiprocessing"
print(type(mp), package.loaded.multiprocessing == mp)
