/**
 * Settings of the memory allocator inside the canvas library (mimalloc, linked into
 * @napi-rs/canvas), read once when that library loads. Every module of src/render that imports
 * the canvas library imports this module before it.
 *
 * Each chart reads its 3.2 MB of pixels back into fresh native memory. With transparent huge pages
 * allowed, mimalloc maps that memory in 2 MB pages, and while the machine's memory is fragmented
 * the kernel spends 5-10 ms a chart finding and zeroing them (measured on the two-core development
 * machine: read-back p50 7 ms against 16 ms at 3,600 points; see docs/render.md). Ordinary pages
 * cost about 1 ms whatever the state of the machine. A value set in the environment wins.
 */
export const CANVAS_ALLOCATOR_ENV: Readonly<Record<string, string>> = {
  MIMALLOC_ALLOW_THP: '0',
};

for (const [name, value] of Object.entries(CANVAS_ALLOCATOR_ENV)) process.env[name] ??= value;
