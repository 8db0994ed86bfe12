print(_G["helper_module-v2"] and _G["helper_module-v2"].name, helper_module)
