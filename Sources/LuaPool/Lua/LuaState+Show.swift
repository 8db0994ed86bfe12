import CLua

extension LuaState {
    /// The values from stack index `first` to the top as the REPL shows
    /// them, tab-separated: strings quoted with escapes, tables nested with
    /// their keys in order (the array part `1..n` first, then numbers,
    /// strings, booleans and the rest, each sorted), long tables cut at 100
    /// entries with a count, nesting shown 6 levels deep; a table seen
    /// twice is labelled `<1>` where it first appears and `<cycle 1>`
    /// (inside itself) or `<ref 1>` (elsewhere) after that. Other values
    /// print as `tostring` gives them. The values are popped.
    ///
    /// - Throws: ``LuaError`` only when Lua itself fails (out of memory);
    ///   a `__tostring` that raises is shown as the value's address.
    public func showValues(from first: Int32) throws(LuaError) -> [UInt8] {
        let count = top - first + 1
        guard count > 0 else { return [] }
        try pushEmbeddedFunction(showKey, source: showSource)
        insert(at: first)
        try call(arguments: count, results: 1)
        defer { pop() }
        return toBytes(at: -1) ?? []
    }
}

let showSource = #"""
local type, tostring, rawget, next, pcall, select = type, tostring, rawget, next, pcall, select
local getmetatable, mathtype = debug.getmetatable, math.type
local format, gsub, match, find, byte = string.format, string.gsub, string.match, string.find, string.byte
local concat, sort = table.concat, table.sort

local WIDTH, MAXDEPTH, MAXITEMS = 78, 6, 100

local keywords = {}
for w in string.gmatch([[and break do else elseif end false for function goto if in
  local nil not or repeat return then true until while]], "%a+") do keywords[w] = true end

local escapes = {
  ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r", ["\a"] = "\\a", ["\b"] = "\\b",
  ["\f"] = "\\f", ["\v"] = "\\v", ["\\"] = "\\\\", ['"'] = '\\"',
}

local function quote(s)
  local body = gsub(s, '[\0-\31"\\\127]', function(c)
    return escapes[c] or format("\\x%02x", byte(c))
  end)
  return '"' .. body .. '"'
end

-- A table with __tostring shows as tostring shows it.
local function hasToString(t)
  local mt = getmetatable(t)
  return mt ~= nil and rawget(mt, "__tostring") ~= nil
end

local typeOrder = { number = 1, string = 2, boolean = 3 }

local function keyBefore(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    local oa, ob = typeOrder[ta] or 4, typeOrder[tb] or 4
    if oa ~= ob then return oa < ob end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return not a and b end
  return format("%p", a) < format("%p", b)
end

-- The keys of t in showing order, and the length of its array part.
local function keysOf(t, st)
  local cached = st.keys[t]
  if cached then return cached, st.arrays[t] end
  local keys, n = {}, 0
  while rawget(t, n + 1) ~= nil do n = n + 1; keys[n] = n end
  local rest = {}
  for k in next, t do
    if not (mathtype(k) == "integer" and k >= 1 and k <= n) then rest[#rest + 1] = k end
  end
  sort(rest, keyBefore)
  for i = 1, #rest do keys[n + i] = rest[i] end
  st.keys[t], st.arrays[t] = keys, n
  return keys, n
end

-- Marks in st.shared the tables reached more than once, walking as show does.
local function scan(v, st, seen, depth)
  if type(v) ~= "table" or hasToString(v) then return end
  if seen[v] then st.shared[v] = true; return end
  seen[v] = true
  if depth >= MAXDEPTH then return end
  local keys = keysOf(v, st)
  for i = 1, #keys < MAXITEMS and #keys or MAXITEMS do
    scan(keys[i], st, seen, depth + 1)
    scan(rawget(v, keys[i]), st, seen, depth + 1)
  end
end

local show

local function showKey(k, st, depth, indent)
  if type(k) == "string" and match(k, "^[A-Za-z_][A-Za-z0-9_]*$") and not keywords[k] then
    return k
  end
  return "[" .. show(k, st, depth, indent) .. "]"
end

-- Several lines: short array items packed, every other item on its own line.
local function layout(items, n, indent)
  local inner = indent .. "  "
  local lines, line = {}, nil
  for i = 1, #items do
    local item = items[i]
    local packable = i <= n and not find(item, "\n", 1, true)
    if packable and line and #inner + #line + #item + 2 <= WIDTH then
      line = line .. ", " .. item
    else
      if line then lines[#lines + 1] = line end
      line = item
      if not packable then lines[#lines + 1] = line; line = nil end
    end
  end
  if line then lines[#lines + 1] = line end
  return "{\n" .. inner .. concat(lines, ",\n" .. inner) .. "\n" .. indent .. "}"
end

local function showItems(t, st, depth, indent)
  local keys, n = keysOf(t, st)
  local items, width, multiline = {}, 4, false
  st.open[t] = true
  for i = 1, #keys < MAXITEMS and #keys or MAXITEMS do
    local k = keys[i]
    local key = i > n and showKey(k, st, depth + 1, indent .. "  ") .. " = " or ""
    local item = key .. show(rawget(t, k), st, depth + 1, indent .. "  ")
    items[i] = item
    width = width + #item + 2
    multiline = multiline or find(item, "\n", 1, true) ~= nil
  end
  st.open[t] = nil
  if #keys > MAXITEMS then items[#items + 1] = format("... (+%d more)", #keys - MAXITEMS) end
  if not multiline and #indent + width <= WIDTH then
    return "{ " .. concat(items, ", ") .. " }"
  end
  return layout(items, n, indent)
end

local function showTable(t, st, depth, indent)
  local label = st.labels[t]
  if label then return format(st.open[t] and "<cycle %d>" or "<ref %d>", label) end
  local prefix = ""
  if st.shared[t] then
    st.count = st.count + 1
    st.labels[t] = st.count
    prefix = format("<%d>", st.count)
  end
  if next(t) == nil then return prefix .. "{}" end
  if depth >= MAXDEPTH then return prefix .. "{...}" end
  return prefix .. showItems(t, st, depth, indent)
end

show = function(v, st, depth, indent)
  local tv = type(v)
  if tv == "string" then return quote(v) end
  if tv == "table" and not hasToString(v) then return showTable(v, st, depth, indent) end
  local ok, text = pcall(tostring, v)
  if ok and type(text) == "string" then return text end
  return format("%s: %p", tv, v)
end

return function(...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    local st = { labels = {}, shared = {}, open = {}, keys = {}, arrays = {}, count = 0 }
    scan(v, st, {}, 0)
    parts[i] = show(v, st, 0, "")
  end
  return concat(parts, "\t")
end
"""#
