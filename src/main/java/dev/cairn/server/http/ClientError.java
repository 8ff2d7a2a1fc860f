package dev.cairn.server.http;

/**
 * An error that is the client's fault and knows the HTTP status it is answered with (a
 * configured cap → 413, a key held by another user → 409, ...). {@link HttpErrors} answers it
 * with that status and its message; a plain {@link dev.cairn.validation.ValidationException} is
 * a 422.
 */
public interface ClientError {
  int httpStatus();

  String getMessage();
}
