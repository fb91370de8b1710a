-- churn.lua - benchmark workload 3: table and string churn in Lua 5.4.
-- Deterministic (fixed seed). Two parts, as in the classic benchmarks:
--   word count: generate text from a small vocabulary, split it into words,
--     count them in a table, build and discard strings;
--   binary trees: build, walk and discard complete binary trees of tables.
--   lua churn.lua [SCALE]
local scale = tonumber(arg and arg[1]) or 1

-- A small linear congruential generator: the same numbers everywhere.
local seed = 42
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

local syllables = {"ka", "lo", "mi", "ne", "tu", "ra", "si", "po", "qua", "zed"}
local vocabulary = {}
for i = 1, 2000 do
  local parts = {}
  for j = 1, 1 + i % 4 do parts[j] = syllables[rand(#syllables)] end
  vocabulary[i] = table.concat(parts)
end

local function word_count(lines, words_per_line)
  local counts = {}
  local total = 0
  for _ = 1, lines do
    local line = {}
    for j = 1, words_per_line do line[j] = vocabulary[rand(#vocabulary)] end
    local text = table.concat(line, " ") .. "\n"
    for word in text:gmatch("%a+") do
      local key = word:upper() .. "#" .. #word
      counts[key] = (counts[key] or 0) + 1
      total = total + 1
    end
  end
  local distinct, top = 0, 0
  for _, c in pairs(counts) do
    distinct = distinct + 1
    if c > top then top = c end
  end
  return total, distinct, top
end

local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return {bottom_up(depth), bottom_up(depth)}
end

local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end

local function binary_trees(max_depth)
  local long_lived = bottom_up(max_depth)
  local sum = 0
  for depth = 4, max_depth, 2 do
    local iterations = 2 ^ (max_depth - depth + 4) // 1
    for _ = 1, iterations do sum = sum + check(bottom_up(depth)) end
  end
  return sum + check(long_lived)
end

local total, distinct, top = 0, 0, 0
local nodes = 0
for _ = 1, scale do
  local t, d, m = word_count(40000, 12)
  total, distinct, top = total + t, d, m
  nodes = nodes + binary_trees(15)
end
print(string.format("churn.lua: scale %d, %d words, %d distinct, top %d, %d tree nodes",
                    scale, total, distinct, top, nodes))
