package store

import "policebooth/server/app"

// Services returns the store as every service of the app, for web.New.
func (s *Store) Services() app.Services {
	return app.Services{
		UserService: s, StaffService: s, SessionService: s, PinService: s, PhoneCodeService: s,
		ThrottleService: s, StationService: s, ServiceRequestService: s, AssistanceService: s,
		PhotoService: s, PhotoSharingService: s, ShiftService: s, FigureService: s, NoticeService: s,
		PushService: s, PrivacyService: s, RightsService: s, SafetyService: s, SafetyTimerService: s,
		CareService: s, FraudService: s, AuditService: s, DashboardService: s, OutboxService: s,
		IdempotencyService: s, EventLogService: s, StreamService: s, RetentionJobService: s,
		KeyService: s, HealthService: s, FamilyService: s, QueueService: s, CallPhotoService: s, ResponderService: s,
	}
}
