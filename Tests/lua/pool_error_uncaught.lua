local function task(x)
  if x == 2 then error("uncaught in task") end
  return x
end

print("before")
pool.map(task, {1, 2, 3})
print("not reached")
