-- wrk script: POST / with varied {"str": ...} bodies, as the frontend sends them.
local counter = 0
local alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

local function random_string(length)
    local parts = {}
    for i = 1, length do
        local index = math.random(1, #alphabet)
        parts[i] = alphabet:sub(index, index)
    end
    return table.concat(parts)
end

request = function()
    counter = counter + 1
    local body = '{"str": "' .. random_string(10 + counter % 3) .. '"}'
    return wrk.format("POST", "/", {["Content-Type"] = "application/json"}, body)
end
