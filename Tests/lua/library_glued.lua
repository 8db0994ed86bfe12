print(helper_module.name)
