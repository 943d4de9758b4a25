package web

func (s *Server) areaAdminRoutes() {}
