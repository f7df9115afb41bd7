package web

func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.handleMetrics)

	api := e.Group("/api/v1")
	api.GET("/openapi.json", s.handleOpenAPI)
	api.GET("/booths", s.handleBoothsList)
}
