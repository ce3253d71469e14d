//! Diesel's view of the tables in `migrations/`.

diesel::table! {
    users (id) {
        id -> Int8,
        email -> Text,
        password_hash -> Text,
        phone -> Nullable<Text>,
        display_name -> Text,
        timezone -> Text,
        currency -> Bpchar,
        default_meeting_minutes -> Int4,
        role -> Text,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sms_conversation_id -> Nullable<Int8>,
        reminder_minutes -> Array<Int4>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        data -> Bytea,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Int8,
        user_id -> Int8,
        name -> Text,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    sign_in_attempts (id) {
        id -> Int8,
        email -> Text,
        client_addr -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamptz,
    }
}

diesel::table! {
    events (id) {
        id -> Int8,
        user_id -> Int8,
        title -> Text,
        description -> Text,
        location -> Text,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        all_day -> Bool,
        source -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        reminder_minutes -> Nullable<Array<Int4>>,
        recurrence -> Nullable<Text>,
        timezone -> Nullable<Text>,
        excluded -> Array<Timestamptz>,
        repeats_until -> Nullable<Timestamptz>,
        series_id -> Nullable<Int8>,
        original_start -> Nullable<Timestamptz>,
        google_id -> Nullable<Text>,
        google_etag -> Nullable<Text>,
        google_link -> Nullable<Text>,
        google_updated -> Nullable<Timestamptz>,
        google_synced_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    tasks (id) {
        id -> Int8,
        user_id -> Int8,
        title -> Text,
        notes -> Text,
        due_date -> Nullable<Date>,
        due_at -> Nullable<Timestamptz>,
        priority -> Int2,
        completed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    expense_month_totals (user_id, month, category, currency) {
        user_id -> Int8,
        month -> Date,
        category -> Text,
        currency -> Bpchar,
        total -> Numeric,
        entries -> Int4,
    }
}

diesel::table! {
    expenses (id) {
        id -> Int8,
        user_id -> Int8,
        amount -> Numeric,
        currency -> Bpchar,
        category -> Text,
        description -> Text,
        spent_on -> Date,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    conversations (id) {
        id -> Int8,
        user_id -> Int8,
        title -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    chat_messages (id) {
        id -> Int8,
        conversation_id -> Int8,
        user_id -> Int8,
        role -> Text,
        content -> Text,
        status -> Text,
        tier -> Nullable<Text>,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        choices -> Nullable<Jsonb>,
    }
}

diesel::table! {
    chat_actions (id) {
        id -> Int8,
        message_id -> Int8,
        user_id -> Int8,
        kind -> Text,
        summary -> Text,
        undo -> Jsonb,
        undone_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    assistant_turns (id) {
        id -> Int8,
        user_id -> Int8,
        conversation_id -> Nullable<Int8>,
        tier -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    model_calls (id) {
        id -> Int8,
        user_id -> Int8,
        conversation_id -> Nullable<Int8>,
        tier -> Text,
        model -> Text,
        endpoint -> Text,
        input_tokens -> Int4,
        output_tokens -> Int4,
        cost_microusd -> Int8,
        latency_ms -> Int4,
        outcome -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    calendar_feeds (user_id) {
        user_id -> Int8,
        token -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    google_connections (user_id) {
        user_id -> Int8,
        refresh_token -> Text,
        access_token -> Text,
        access_expires_at -> Timestamptz,
        scope -> Text,
        status -> Text,
        problem -> Nullable<Text>,
        connected_at -> Timestamptz,
        updated_at -> Timestamptz,
        sync_token -> Nullable<Text>,
        import_started_at -> Nullable<Timestamptz>,
        imported -> Int4,
        last_synced_at -> Nullable<Timestamptz>,
        sync_failures -> Int4,
        sync_problem -> Nullable<Text>,
    }
}

diesel::table! {
    google_deletions (user_id, google_id) {
        user_id -> Int8,
        google_id -> Text,
    }
}

diesel::table! {
    google_busy (user_id, starts_at) {
        user_id -> Int8,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(events -> users (user_id));
diesel::joinable!(tasks -> users (user_id));
diesel::joinable!(expenses -> users (user_id));
diesel::joinable!(expense_month_totals -> users (user_id));
diesel::joinable!(conversations -> users (user_id));
diesel::joinable!(chat_messages -> conversations (conversation_id));
diesel::joinable!(chat_actions -> chat_messages (message_id));
diesel::joinable!(model_calls -> users (user_id));
diesel::joinable!(assistant_turns -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    expense_month_totals,
    users,
    sessions,
    api_tokens,
    sign_in_attempts,
    events,
    tasks,
    expenses,
    conversations,
    chat_messages,
    chat_actions,
    assistant_turns,
    model_calls,
    calendar_feeds,
    google_connections,
    google_deletions,
    google_busy
);
