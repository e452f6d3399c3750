// Messages for press officers: German first, English on request (Accept-Language: en).

export type Language = 'de' | 'en';

type Catalogue = Record<string, string>;

const de: Catalogue = {
  VALIDATION_FAILED: 'Die Eingabe ist unvollständig oder fehlerhaft. Bitte prüfen Sie die markierten Felder.',
  MALFORMED_JSON: 'Die Anfrage enthält kein gültiges JSON.',
  UNSUPPORTED_MEDIA_TYPE: 'Bitte senden Sie die Daten als JSON (Content-Type: application/json).',
  BODY_TOO_LARGE: 'Die Anfrage ist zu groß.',
  INVALID_ENCODING: 'Die Anfrage enthält ungültige Zeichen (kein gültiges UTF-8).',
  UNAUTHENTICATED: 'Bitte melden Sie sich an.',
  INVALID_CREDENTIALS: 'E-Mail-Adresse oder Passwort ist falsch.',
  LOGIN_THROTTLED: 'Zu viele Anmeldeversuche. Bitte warten Sie {seconds} Sekunden.',
  CSRF_FAILED: 'Die Sitzung konnte nicht bestätigt werden. Bitte laden Sie die Seite neu.',
  FORBIDDEN: 'Dafür fehlt Ihnen die Berechtigung.',
  NOT_FOUND: 'Nicht gefunden.',
  ROUTE_NOT_FOUND: 'Diese Adresse gibt es nicht.',
  METHOD_NOT_ALLOWED: 'Diese Aktion ist hier nicht möglich.',
  FOUR_EYES_VIOLATION:
    'Vier-Augen-Prinzip: Sie haben diese Mitteilung verfasst oder bearbeitet und dürfen sie daher nicht selbst freigeben.',
  STALE_REVISION:
    'Diese Fassung ist nicht mehr aktuell (aktuell: Fassung {current}). Bitte prüfen Sie die neue Fassung vor der Freigabe.',
  INVALID_STATUS: 'Das ist im Status „{status}“ nicht möglich.',
  EMBARGO_VIOLATION: 'Der Veröffentlichungszeitpunkt liegt vor der Sperrfrist ({embargo}).',
  PUBLISH_AT_IN_PAST: 'Der Veröffentlichungszeitpunkt liegt in der Vergangenheit.',
  CHANNEL_NOT_FOUND: 'Mindestens ein gewählter Kanal existiert nicht.',
  CHANNEL_DISABLED: 'Der Kanal „{name}“ ist deaktiviert.',
  CHANNEL_TYPE_NOT_SUPPORTED: 'Dieser Kanaltyp wird noch nicht unterstützt.',
  CONTENT_BLOCKED: 'Mindestens ein Beitrag kann so nicht veröffentlicht werden: {reason}',
  CONTENT_TOO_LONG: 'Der Beitrag für {channel} ist zu lang ({length} von {limit} Zeichen).',
  ORG_PAUSED: 'Die Veröffentlichung ist angehalten (Notfall-Stopp).',
  ORG_NOT_PAUSED: 'Die Veröffentlichung ist nicht angehalten.',
  EMAIL_TAKEN: 'Diese E-Mail-Adresse ist bereits vergeben.',
  ORG_EXISTS: 'Eine Organisation mit dieser Kennung gibt es bereits.',
  PASSWORD_TOO_SHORT: 'Das Passwort muss mindestens {min} Zeichen lang sein.',
  LAST_ADMIN: 'Die letzte Administratorin bzw. der letzte Administrator kann nicht entfernt werden.',
  SERVICE_UNAVAILABLE: 'Herold ist gerade nicht erreichbar (Datenbank oder Warteschlange). Bitte versuchen Sie es gleich noch einmal.',
  INTERNAL_ERROR: 'Ein unerwarteter Fehler ist aufgetreten. Die IT wurde im Protokoll informiert.',
  THROTTLED: 'Zu viele Anfragen. Bitte warten Sie einen Moment.',
  // Publishing outcomes, shown on a post.
  NETWORK_ERROR: 'Das Netzwerk war nicht erreichbar. Herold versucht es erneut.',
  SERVER_ERROR: 'Der Dienst des Netzwerks hat einen Fehler gemeldet. Herold versucht es erneut.',
  RATE_LIMITED: 'Das Netzwerk begrenzt gerade die Anzahl der Beiträge. Herold wartet und versucht es erneut.',
  AUTH_EXPIRED: 'Die Zugangsdaten des Kanals sind abgelaufen oder widerrufen. Eine Administratorin bzw. ein Administrator muss den Kanal neu verbinden.',
  DUPLICATE: 'Das Netzwerk hat den Beitrag als Duplikat abgelehnt.',
  CONTENT_REJECTED: 'Das Netzwerk hat den Inhalt abgelehnt.',
  TOO_LONG: 'Das Netzwerk hat den Beitrag als zu lang abgelehnt.',
  PERMISSION_DENIED: 'Dem Kanal fehlen Berechtigungen im Netzwerk.',
  TIMEOUT_AFTER_SEND: 'Das Netzwerk hat nicht geantwortet, nachdem der Beitrag gesendet wurde. Ob er erschienen ist, ist unklar.',
  WORKER_DIED: 'Die Veröffentlichung wurde unterbrochen. Ob der Beitrag erschienen ist, ist unklar.',
  CREDENTIALS_UNREADABLE: 'Die gespeicherten Zugangsdaten können nicht entschlüsselt werden.',
  NOT_APPROVED: 'Der Beitrag ist nicht in dieser Fassung freigegeben und wird nicht veröffentlicht.',
  ARTICLE_FAILED: 'Der Blogartikel, auf den der Beitrag verlinkt, konnte nicht veröffentlicht werden.',
  UNKNOWN_ERROR: 'Unbekannter Fehler beim Veröffentlichen.',
};

const en: Catalogue = {
  VALIDATION_FAILED: 'The input is incomplete or invalid. Please check the marked fields.',
  MALFORMED_JSON: 'The request does not contain valid JSON.',
  UNSUPPORTED_MEDIA_TYPE: 'Please send the data as JSON (Content-Type: application/json).',
  BODY_TOO_LARGE: 'The request is too large.',
  INVALID_ENCODING: 'The request contains invalid characters (not valid UTF-8).',
  UNAUTHENTICATED: 'Please sign in.',
  INVALID_CREDENTIALS: 'E-mail address or password is wrong.',
  LOGIN_THROTTLED: 'Too many sign-in attempts. Please wait {seconds} seconds.',
  CSRF_FAILED: 'The session could not be confirmed. Please reload the page.',
  FORBIDDEN: 'You are not allowed to do this.',
  NOT_FOUND: 'Not found.',
  ROUTE_NOT_FOUND: 'There is no such address.',
  METHOD_NOT_ALLOWED: 'This action is not possible here.',
  FOUR_EYES_VIOLATION: 'Four-eyes principle: you wrote or edited this release, so you may not approve it yourself.',
  STALE_REVISION: 'This revision is out of date (current: revision {current}). Please review the new revision before approving.',
  INVALID_STATUS: 'Not possible while the status is "{status}".',
  EMBARGO_VIOLATION: 'The publication time is before the embargo ({embargo}).',
  PUBLISH_AT_IN_PAST: 'The publication time is in the past.',
  CHANNEL_NOT_FOUND: 'At least one selected channel does not exist.',
  CHANNEL_DISABLED: 'The channel "{name}" is disabled.',
  CHANNEL_TYPE_NOT_SUPPORTED: 'This channel type is not supported yet.',
  CONTENT_BLOCKED: 'At least one post cannot be published like this: {reason}',
  CONTENT_TOO_LONG: 'The post for {channel} is too long ({length} of {limit} characters).',
  ORG_PAUSED: 'Publishing is paused (crisis stop).',
  ORG_NOT_PAUSED: 'Publishing is not paused.',
  EMAIL_TAKEN: 'This e-mail address is already in use.',
  ORG_EXISTS: 'An organisation with this slug already exists.',
  PASSWORD_TOO_SHORT: 'The password must be at least {min} characters long.',
  LAST_ADMIN: 'The last administrator cannot be removed.',
  SERVICE_UNAVAILABLE: 'Herold is unavailable right now (database or queue). Please try again in a moment.',
  INTERNAL_ERROR: 'An unexpected error occurred. It has been logged for IT.',
  THROTTLED: 'Too many requests. Please wait a moment.',
  NETWORK_ERROR: 'The network could not be reached. Herold will try again.',
  SERVER_ERROR: 'The network reported a server error. Herold will try again.',
  RATE_LIMITED: 'The network is limiting posts right now. Herold waits and tries again.',
  AUTH_EXPIRED: 'The channel credentials expired or were revoked. An administrator must reconnect the channel.',
  DUPLICATE: 'The network rejected the post as a duplicate.',
  CONTENT_REJECTED: 'The network rejected the content.',
  TOO_LONG: 'The network rejected the post as too long.',
  PERMISSION_DENIED: 'The channel lacks permissions on the network.',
  TIMEOUT_AFTER_SEND: 'The network did not answer after the post was sent. Whether it appeared is unknown.',
  WORKER_DIED: 'Publishing was interrupted. Whether the post appeared is unknown.',
  CREDENTIALS_UNREADABLE: 'The stored credentials cannot be decrypted.',
  NOT_APPROVED: 'The post is not approved in this revision and will not be published.',
  ARTICLE_FAILED: 'The blog article this post links to could not be published.',
  UNKNOWN_ERROR: 'Unknown error while publishing.',
};

const CATALOGUES: Record<Language, Catalogue> = { de, en };

export function message(code: string, lang: Language = 'de', params: Record<string, string | number> = {}): string {
  const template = CATALOGUES[lang][code] ?? CATALOGUES.de[code] ?? CATALOGUES[lang].UNKNOWN_ERROR ?? code;
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? `{${key}}`));
}

/** Picks de or en from an Accept-Language header; German is the default. */
export function languageFrom(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'de';
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'de';
}
