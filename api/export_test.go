package api

// Unexported parts the black-box tests hold against other sources.
var (
	PWARoutes   = pwaRoutes
	PWASlug     = pwaSlug
	PWASegments = pwaSegments
)
