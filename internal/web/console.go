package web

// consoleRoutes registers the web console's pages and static assets.
func (s *Server) consoleRoutes() {}
