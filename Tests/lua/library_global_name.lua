print(hm.name, helper_module, other == hm)
