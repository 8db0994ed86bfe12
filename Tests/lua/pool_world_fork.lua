-- What a task sees, with workers forked from the script.
require("helpers.world")("fork")
