-- A module whose name has a '-' suffix, for `-l helper_module-v2`.
return { name = "helper_module-v2" }
