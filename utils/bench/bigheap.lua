-- bigheap.lua - benchmark workload 5: table and string churn on top of a
-- live set of more than a million blocks, in Lua 5.4 built with its plain
-- l_alloc (no family configuration: every block comes from the realloc()
-- call of lauxlib.c's l_alloc). Deterministic (fixed seed).
--   build: 400,000 records, each a table {id, name} (the Table and its array
--     part: 2 blocks) and a string of its own (1 block): 1.2M live blocks;
--   churn: replace random records with new ones, and build and discard
--     strings (formatted keys, concatenations) as a program would.
--   lua bigheap.lua [SCALE] [exit-live]
-- SCALE multiplies the churn (default 1). With "exit-live" the script ends
-- with os.exit without closing the state, so that a snapshot taken at exit
-- (TRACEMALLOC_DUMP) still holds the live set.
local scale = tonumber(arg and arg[1]) or 1
local exit_live = arg and arg[2] == "exit-live"

-- A small linear congruential generator: the same numbers everywhere.
local seed = 42
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

local RECORDS = 400000
local records = {}
for i = 1, RECORDS do
  records[i] = {i, string.format("record-%07d", i)}
end

local replaced, checksum = 0, 0
for step = 1, 250000 * scale do
  local j = rand(RECORDS)
  local old = records[j]
  checksum = (checksum + old[1] + #old[2]) % 1000000007
  -- The new record: a new table and a new string (unique, so not interned
  -- away), the old ones left to the collector.
  records[j] = {old[1] + RECORDS, old[2]:sub(1, 7) .. step}
  replaced = replaced + 1
  -- Temporary strings, built and dropped at once.
  local tmp = string.format("%s:%d", old[2], step) .. "/" .. j
  checksum = (checksum + #tmp) % 1000000007
end

local live = 0
for i = 1, RECORDS do
  live = live + #records[i][2]
end
print(string.format("bigheap.lua: scale %d, %d records, %d replaced, checksum %d, %d name bytes",
                    scale, RECORDS, replaced, checksum, live))
if exit_live then
  os.exit(0, false)
end
