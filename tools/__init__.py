"""Build and operations CLIs: catalogue seeding, scene building and checking, exports, bots, benchmarks."""
