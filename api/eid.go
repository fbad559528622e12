package api

// eidEnabled reports whether login with the state eID is configured.
func (s *Server) eidEnabled() bool { return false }
