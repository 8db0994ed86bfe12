-- What a task sees, with workers that start fresh.
require("helpers.world")("spawn")
