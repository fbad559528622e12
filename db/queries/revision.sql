-- name: CatalogueRevision :one
SELECT revision FROM catalogue_revision;

-- name: ListenCatalogue :exec
LISTEN schalter_catalogue;
