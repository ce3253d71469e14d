DROP TABLE phone_codes;
DROP TABLE sms_unknown_replies;
DROP TABLE sms_opt_outs;
DROP TABLE sms_outbox;
ALTER TABLE users DROP COLUMN sms_conversation_id;
DROP TABLE sms_inbound;
DROP TABLE sms_turns;
