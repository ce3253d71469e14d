DROP TABLE google_busy;
