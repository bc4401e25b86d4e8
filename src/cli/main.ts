// placeholder, replaced by the CLI wiring
export {};
