dofile("helpers/pool_workers.lua")
