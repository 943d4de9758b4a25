package web

func (s *Server) peopleRoutes() {}
