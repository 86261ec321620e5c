export * from "./csv.js";
export * from "./public-data.js";
export * from "./synthetic.js";
