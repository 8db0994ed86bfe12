print(helper_module.name, helper_module.loads)
print(package.loaded.helper_module == helper_module)
