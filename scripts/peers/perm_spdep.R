#!/usr/bin/env Rscript
# Permutation inference with R's spdep on a grid Trygg wrote: the peer of `trygg ... --local-moran
# --permutations 999`. Reads hotspot_grid (cell centres and n), builds the same weights (the 3x3
# block with the cell itself for Gi*, queen row-standardised without it for local Moran), runs
# localG_perm and localmoran_perm with nsim = 999, and writes the pseudo p-values as CSV.
# usage: Rscript perm_spdep.R GRID.gpkg CELL_M OUT.csv
suppressPackageStartupMessages({ library(sf); library(spdep) })
a <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
g <- st_read(a[1], layer = "hotspot_grid", quiet = TRUE)
cell <- as.numeric(a[2])
xy <- st_coordinates(st_centroid(st_geometry(g)))
nb <- dnearneigh(xy, 0, cell * sqrt(2) * (1 + 1e-9))
t1 <- proc.time()[["elapsed"]]
set.seed(1)
gs <- localG_perm(g$n, nb2listw(include.self(nb), style = "B"), nsim = 999)
t2 <- proc.time()[["elapsed"]]
lm <- localmoran_perm(g$n, nb2listw(nb, style = "W"), nsim = 999)
t3 <- proc.time()[["elapsed"]]
pg <- attr(gs, "internals")[, "Pr(z != E(Gi)) Sim"]
pl <- lm[, "Pr(folded) Sim"]
write.csv(data.frame(cell_id = g$cell_id, gi_p = pg, lmi_p = pl), a[3], row.names = FALSE)
cat(sprintf("TIME read_and_weights=%.3f localG_perm=%.3f localmoran_perm=%.3f total_in_R=%.3f\n",
            t1 - t0, t2 - t1, t3 - t2, proc.time()[["elapsed"]] - t0))
