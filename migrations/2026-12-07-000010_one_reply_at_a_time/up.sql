-- One reply is written at a time per user, across every process: a second message waits until
-- the first reply ends (or is stopped). Replies left 'streaming' by a stopped process are
-- failed by the housekeeping sweep; here, all but each user's newest are failed first.
UPDATE chat_messages SET status = 'failed', error = 'The reply was interrupted.'
WHERE status = 'streaming'
  AND id NOT IN (SELECT max(id) FROM chat_messages WHERE status = 'streaming' GROUP BY user_id);
CREATE UNIQUE INDEX chat_messages_one_streaming ON chat_messages (user_id) WHERE status = 'streaming';
