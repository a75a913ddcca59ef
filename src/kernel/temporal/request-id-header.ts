/** The Temporal header that carries an HTTP request's id into workflows and activities. */
export const REQUEST_ID_HEADER = 'request-id';
