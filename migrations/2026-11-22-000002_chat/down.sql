DROP TABLE model_calls;
DROP TABLE assistant_turns;
DROP TABLE chat_actions;
DROP TABLE chat_messages;
DROP TABLE conversations;
