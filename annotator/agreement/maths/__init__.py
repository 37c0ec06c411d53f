"""Agreement measures and the project report, pure (numpy and scipy, no Django): coefficients, span
matching, unitizing α, γ, the bootstrap, per-document sufficient statistics and the report built from them.
The modules around this package load the inputs from the database, run and store the computation."""
