package web

func (s *Server) setupRoutes() {}
