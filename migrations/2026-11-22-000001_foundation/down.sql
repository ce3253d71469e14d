DROP TABLE expenses;
DROP TABLE tasks;
DROP TABLE events;
DROP TABLE sign_in_attempts;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
