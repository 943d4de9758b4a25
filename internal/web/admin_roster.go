package web

func (s *Server) rosterRoutes() {}
