dofile("helpers/pool_workers_env_bad.lua")
