// A route is data: method, path, who may call it, what it accepts. The app registers the table,
// checks access in one place (src/http/app.ts) and derives the OpenAPI document from it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '../domain/actor';
import type { Role } from '../domain/types';
import type { Language } from '../i18n/messages';
import type { Deps } from '../services/deps';

/** `public`: no login; `user`: any signed-in user; a role list: any of these roles. */
export type Access = 'public' | 'user' | Role[];

export interface HandlerContext<B, Q> {
  deps: Deps;
  actor: Actor;
  body: B;
  query: Q;
  params: Record<string, string>;
  req: FastifyRequest;
  reply: FastifyReply;
  lang: Language;
}

export interface RouteDef<B = unknown, Q = unknown> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Success status; 204 sends no body. */
  status?: number;
  /** For the OpenAPI document only. */
  response?: z.ZodType;
  /**
   * Media type of the success answer when it is not JSON. The handler sets the header itself and
   * may return a string or a stream (Fastify sends it as it is read); the OpenAPI document names
   * the type.
   */
  produces?: string;
  /** For the OpenAPI document only: how a public route authenticates itself, if it does. */
  docsAccess?: string;
  handler(ctx: HandlerContext<B, Q>): Promise<unknown>;
}

/** Keeps body and query types flowing from the schemas into the handler. */
export function route<B = undefined, Q = undefined>(def: RouteDef<B, Q>): RouteDef {
  return def as unknown as RouteDef;
}
