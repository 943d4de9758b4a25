package web

func (s *Server) unitAdminRoutes() {}
