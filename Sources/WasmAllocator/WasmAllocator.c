// Allocator for wasm32-unknown-none builds only; empty on native platforms.
