-- wrk: GET each path listed (one per line) in the file named by env PATHS_FILE, in turn.
local paths = {}
local i = 0
function init(args)
  for line in io.lines(os.getenv("PATHS_FILE")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  -- start threads at different places so concurrent connections do not fetch in lockstep
  i = math.random(#paths) - 1
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
