#!/usr/bin/env -S node --import tsx
console.log("hi", process.version, process.argv.slice(2));
