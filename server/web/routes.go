package web

import "policebooth/pwa"

func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.handleMetrics)

	e.GET("/manifest.webmanifest", s.handleManifest, s.localize)
	e.GET("/sw.js", s.handleServiceWorker)
	e.GET(pwa.Prefix+"*", s.handleAsset)

	page := e.Group("", s.localize)
	page.GET("/", s.handleLanding)
	page.GET("/offline", s.handleOffline)
	page.POST("/lang", s.handleLanguageSwitch)

	api := e.Group("/api/v1")
	api.GET("/openapi.json", s.handleOpenAPI)
	api.GET("/booths", s.handleBoothsList)
}
