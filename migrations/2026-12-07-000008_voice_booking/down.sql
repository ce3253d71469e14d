DELETE FROM sms_outbox WHERE purpose = 'booking';
ALTER TABLE sms_outbox DROP CONSTRAINT sms_outbox_purpose_check;
ALTER TABLE sms_outbox ADD CONSTRAINT sms_outbox_purpose_check CHECK (purpose IN ('reply', 'code',
    'signup_hint', 'help', 'reminder', 'invitation', 'notice'));
DROP TABLE voice_request_counts;
DROP TABLE voice_calls;
DROP TABLE booking_failures;
DROP TABLE voice_bookings;
DROP TABLE booking_agents;
DROP TABLE booking_settings;
