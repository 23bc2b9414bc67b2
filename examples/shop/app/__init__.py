"""A small shop backend with the model-layer problems ormdoctor is built to find."""
