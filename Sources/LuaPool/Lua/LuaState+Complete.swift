import CLua

/// What Tab completes at the end of a line of Lua.
public struct LuaCompletions: Equatable, Sendable {
    /// The partial name before the cursor that the candidates extend
    /// (`fo` in `string.fo`).
    public var word: String
    /// The full names that begin with ``word``, sorted.
    public var candidates: [String]

    public init(word: String, candidates: [String]) {
        self.word = word
        self.candidates = candidates
    }
}

extension LuaState {
    /// The names that could complete the end of `line`: globals and
    /// keywords for a plain name; after `a.b.` the fields of `a.b`; after
    /// `a:` its methods (function fields). Fields are read raw and through
    /// `__index` tables only, so no Lua code of the user's runs; a
    /// string value completes the `string` library's functions. Names
    /// that begin with `__` (metamethods, internal keys) are left out; a
    /// userdata offers its methods only (functions), also those in its
    /// metatable when its `__index` is a function (an object whose
    /// fields are computed).
    ///
    /// Never fails: anything unexpected gives no candidates.
    public func completions(for line: String) -> LuaCompletions {
        let saved = top
        defer { top = saved }
        let none = LuaCompletions(word: "", candidates: [])
        do {
            try pushEmbeddedFunction(completeKey, source: completeSource)
            push(line)
            try call(arguments: 1, results: 2)
        } catch {
            return none
        }
        guard let word = toString(at: -2), type(at: -1) == .table else { return none }
        var candidates: [String] = []
        for i in 0..<rawLength(at: -1) {
            if rawGet(lua_Integer(i + 1), of: -1) == .string, let name = toString(at: -1) {
                candidates.append(name)
            }
            pop()
        }
        return LuaCompletions(word: word, candidates: candidates)
    }
}

let completeSource = #"""
local G = _ENV
local type, next, rawget, getmetatable = type, next, rawget, debug.getmetatable
local match, gmatch, sub = string.match, string.gmatch, string.sub
local sort = table.sort

local keywords = {}
for w in gmatch([[and break do else elseif end false for function goto if in
  local nil not or repeat return then true until while]], "%a+") do keywords[#keywords + 1] = w end

-- Where indexing v looks after v itself: its metatable's __index table;
-- for a userdata whose __index is a function, its metatable, where such
-- objects keep their methods.
local function indexTable(v)
  local mt = getmetatable(v)
  local index = type(mt) == "table" and rawget(mt, "__index") or nil
  if type(index) == "table" then return index end
  if type(index) == "function" and type(v) == "userdata" then return mt end
end

-- v[name] without calling any metamethod.
local function field(v, name)
  for _ = 1, 20 do
    if type(v) == "table" then
      local x = rawget(v, name)
      if x ~= nil then return x end
    end
    v = indexTable(v)
    if v == nil then return nil end
  end
end

local function isName(s)
  return match(s, "^[A-Za-z_][A-Za-z0-9_]*$") ~= nil
end

-- The names in v (and in its __index tables) that begin with word; not
-- metamethods or other names that begin with "__"; for a userdata, its
-- methods only.
local function addFields(found, v, word, methodsOnly)
  if type(v) == "userdata" then methodsOnly = true end
  for _ = 1, 20 do
    if type(v) == "table" then
      for k, x in next, v do
        if type(k) == "string" and sub(k, 1, #word) == word and isName(k) and sub(k, 1, 2) ~= "__"
            and (not methodsOnly or type(x) == "function") then
          found[k] = true
        end
      end
    end
    v = indexTable(v)
    if v == nil then return end
  end
end

-- The value of a dotted path of names ("a.b.c"), or nil.
local function walk(path)
  local v = G
  for name in gmatch(path .. ".", "([^.]*)%.") do
    if not isName(name) then return nil end
    v = field(v, name)
    if v == nil then return nil end
  end
  return v
end

return function(line)
  local path, sep, word = match(match(line, "[%w_.:]*$"), "^(.-)([.:]?)([%w_]*)$")
  local found = {}
  if sep == "" and match(word, "^[A-Za-z_]") then
    addFields(found, G, word, false)
    for _, k in next, keywords do
      if sub(k, 1, #word) == word then found[k] = true end
    end
  elseif sep ~= "" and not match(path, ":") then
    local v = walk(path)
    if v ~= nil then addFields(found, v, word, sep == ":") end
  end
  local list = {}
  for k in next, found do list[#list + 1] = k end
  sort(list)
  return word, list
end
"""#
